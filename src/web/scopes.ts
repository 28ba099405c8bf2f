/** What a scope lets a client do, in the words of the consent page. */

/** The words for one scope; a scope without words is shown as itself. */
export function describeScope(scope: string, clientName: string): string {
  switch (scope) {
    case 'openid':
      return 'Confirm who you are';
    case 'email':
      return 'See your email address';
    case 'profile':
      return 'See your basic profile';
    case 'offline_access':
      return `Stay signed in to ${clientName} when you are away`;
    default:
      return scope;
  }
}
